"""The local runtime: every enabled system, offline, with the same handlers, routes, authorizers and event rules.

Start order: local AWS (moto in server mode) → per system: AWS resources, sign-in, databases and migrations, the
services' environments, an HTTP gateway on its own port → the consumer loop. The command line then seeds the demo data
and calls :meth:`LocalRuntime.write_endpoints`, so ``.local/endpoints.json`` means "ready, with data".
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from architectures import SYSTEMS, spec, topology
from architectures.wiring import site_config
from handlers.shared import aws as shared_aws
from handlers.shared.db import DatabaseError
from local import consumers
from local.aws import LOCAL_VISIBILITY_SECONDS, LocalAws, provision
from local.aws_server import AwsServer, AwsServerError
from local.cognito import DemoUser, provision_auth, saved_stamp
from local.control import with_controls
from local.functions import ServiceFunctions, cool_down
from local.schedules import ScheduleRunner, Timer
from local.services import LocalAuth, migrate, service_functions
from local.state import Control, Stamp, StateError, Storage, pair
from local.watch import Watch
from local.workers import WorkerSettings

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
SAVE_SIGN_IN_SECONDS = 5
REAP_SECONDS = 5
"""How often idle workers are looked for (each is stopped once idle for its settings' idle time)."""
CONSUMER_WAIT_SECONDS = 1
DEFAULT_WORKERS = WorkerSettings()
"""Functions run in worker processes of their own by default, as Lambda runs them."""
"""Each queue's long poll: short enough that Ctrl-C stops within about a second."""
log = logging.getLogger("local")


def ports_needed(systems: Sequence[str]) -> int:
    """Local AWS, then each system's API, then each web app, then the console: consecutive ports from the base
    port."""
    known = [SYSTEMS[name] for name in systems if name in SYSTEMS]
    return 1 + len(systems) + sum(1 for system in known if system.site_dir) + 1


def free_base_port(systems: Sequence[str] = tuple(SYSTEMS), first: int = 20000) -> int:
    """A base port from which every port ``systems`` need is free on 127.0.0.1 (for tests and tools)."""
    count = ports_needed(systems)
    for base in range(first, 60000, count + 7):
        sockets = [socket.socket() for _ in range(count)]
        try:
            for offset, probe in enumerate(sockets):
                probe.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for probe in sockets:
                probe.close()
    raise StartError("no free ports on 127.0.0.1")


class StartError(RuntimeError):
    """The runtime cannot start; the message is one line that says what to do."""


@dataclass
class Options:
    systems: tuple[str, ...] = tuple(SYSTEMS)
    state_dir: Path = ROOT / ".local"
    base_port: int = 8700
    database_url: str | None = None
    """``mysql://user:pass@host:port/`` to use MariaDB/MySQL (one database per schema, named after the state folder:
    see ``local/state.py``) instead of SQLite files."""
    reset: bool = False
    """Start from empty data and sign-in: the runtime's files in the state folder and its databases are removed."""
    demo: bool = False
    """Run the smoke flows and stop (``make demo``) instead of serving until Ctrl-C."""
    visibility_seconds: int = LOCAL_VISIBILITY_SECONDS
    """Each subscription queue's visibility timeout: failed records come back after it (the cloud's is longer)."""
    workers: WorkerSettings | None = DEFAULT_WORKERS
    """Run each function in worker processes of its own (``local/workers.py``), as Lambda does; None: in this process,
    in turns."""
    console: bool = True
    """Serve the local console and keep the trail it shows (``local/watch.py``); off: neither, and no request lines."""
    quiet: bool = False
    """No line per request and per delivery in the terminal (the console still has them)."""


@dataclass
class RunningSystem:
    system: spec.System
    api_url: str
    aws: LocalAws
    auth: LocalAuth
    users: list[DemoUser]
    functions: dict[str, ServiceFunctions]
    database_urls: dict[str, str]
    site_url: str | None = None
    stamp: Stamp | None = None
    """The start its users and data belong to (``local/state.py``)."""


@dataclass
class LocalRuntime:
    options: Options
    say: Callable[[str], None] = print
    systems: dict[str, RunningSystem] = field(default_factory=dict)
    aws_endpoint: str = ""
    console_url: str = ""
    aws: AwsServer | None = None
    """Local AWS's process: its model is reached through it for what moto's HTTP API cannot do (users)."""
    _servers: list[Any] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)
    _background: list[threading.Thread] = field(default_factory=list)
    mappings: list[consumers.EventSourceMapping] = field(default_factory=list)
    """Each subscription's event source mapping (its pollers)."""
    _stopping: threading.Event = field(default_factory=threading.Event)
    _control: Control | None = None
    _stamps: dict[str, Stamp] = field(default_factory=dict)
    schedules: ScheduleRunner = field(init=False)
    watch: Watch = field(init=False)
    """The trail the console shows, and the terminal's lines."""

    def __post_init__(self) -> None:
        self.schedules = ScheduleRunner(self._fire_schedule, lambda: datetime.now(UTC))
        self.watch = Watch(self.say, quiet=self.options.quiet, recording=self.options.console)

    @property
    def storage(self) -> Storage:
        return Storage(self.options.state_dir, self.options.database_url)

    def _fire_schedule(self, timer: Timer, extra: dict[str, Any]) -> Any:
        """Invoke the schedule's function with the input EventBridge Scheduler sends it in the cloud (plus ``extra``
        when fired on demand)."""
        started, request_id = time.perf_counter(), str(uuid.uuid4())  # the run's correlation id: its events carry it
        functions = self.systems[timer.system].functions[timer.service]
        ran = functools.partial(self.watch.schedule_ran, timer.system, timer.service, timer.schedule.name, request_id)
        try:
            result = functions.invoke(timer.handler, {**extra, "schedule": timer.schedule.name}, request_id)
        except Exception as e:
            ran(started, error=e)
            raise
        ran(started, result)
        log.info("schedule %s/%s/%s: %s", timer.system, timer.service, timer.schedule.name, result)
        return result

    # --- start --------------------------------------------------------------------------------------------------
    def start(self) -> None:
        unknown = [s for s in self.options.systems if s not in SYSTEMS]
        if unknown:
            raise StartError(f"unknown system {unknown[0]!r}; systems: {', '.join(SYSTEMS)}")
        self._check_ports()
        self._prepare_state()
        cool_down()  # functions left warm by a runtime that ran earlier in this process
        self._start_aws()
        ports = iter(self._ports()[1:])
        for name in self.options.systems:
            self._start_system(SYSTEMS[name], next(ports))
        for running in self.systems.values():
            if running.system.site_dir:
                self._serve_site(running, next(ports))
        self._start_consumers()
        self.schedules.start()
        if self.options.console:
            self._serve_console(next(ports))

    def _ports(self) -> list[int]:
        return [self.options.base_port + i for i in range(ports_needed(self.options.systems))]

    def _check_ports(self) -> None:
        for port in self._ports():
            with socket.socket() as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    raise StartError(
                        f"port {port} on 127.0.0.1 is in use: stop what uses it, or pass --base-port "
                        f"(ports {self._ports()[0]}-{self._ports()[-1]} are needed)"
                    ) from None

    def _prepare_state(self) -> None:
        """Reset if asked; then check, before anything starts, that each system's users and data belong together."""
        state_dir, storage = self.options.state_dir, self.storage
        try:
            if self.options.reset:
                storage.reset(self.say)
            state_dir.mkdir(parents=True, exist_ok=True)
            # The file appears when everything is ready, so a stale one from a crashed run must not mislead a waiter.
            (state_dir / "endpoints.json").unlink(missing_ok=True)
            self._control = storage.open()
            if storage.server_url:
                self.say(f"-> data on {storage.where}: databases {storage.prefix}_* (the state folder "
                         f"{state_dir.resolve()} owns them, as {storage.prefix} records)")  # fmt: skip
            for name in self.options.systems:
                self._stamps[name] = pair(name, saved_stamp(self._saved_users(name)), self._data_stamp(name),
                                          self._saved_users(name), storage.where)  # fmt: skip
        except StateError as e:
            raise StartError(str(e)) from None
        except DatabaseError as e:
            raise StartError(f"the runtime's database on {storage.where} is not usable: {e}") from None

    def _data_stamp(self, name: str) -> Stamp | None:
        """The stamp of the system's data; None if there is none, or if some of its databases are gone."""
        assert self._control is not None
        stamp, system = self._control.stamp(name), SYSTEMS[name]
        existing, schemas = self.storage.existing(system), self.storage.database_names(system)
        if stamp is not None:
            return stamp if existing == set(schemas) else None
        return Stamp("", "") if existing else None  # databases kept by an earlier version, without a stamp

    def _start_aws(self) -> None:
        port = self.options.base_port
        self.say(f"-> local AWS (moto) on 127.0.0.1:{port}, in a process of its own")
        # Pool and client ids derived from their definitions, so they (and tokens) survive a restart; a new process
        # starts from an empty local AWS and gets back only what the state folder keeps.
        moto_settings = {"MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
                         "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH"}  # fmt: skip
        try:
            self.aws = AwsServer(port, moto_settings)
        except AwsServerError as e:
            raise StartError(str(e)) from None
        self._servers.append(self.aws)
        self.aws_endpoint = f"http://127.0.0.1:{port}"
        # Every handler's boto3 client reaches moto through these, exactly as the cloud's reach AWS. Clients remember
        # their endpoint, so any made for an earlier local AWS in this process are dropped.
        shared_aws.client.cache_clear()
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": self.aws_endpoint,
                "AWS_REGION": REGION,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
            }
        )

    def _session(self) -> Any:
        import boto3

        return boto3.Session(region_name=REGION)

    def _start_system(self, system: spec.System, port: int) -> None:
        assert self.aws is not None, "local AWS starts first"
        session = self._session()
        self.say(f"-> {system.name}: provisioning events, topics, tables and buckets")
        made = provision(system, session, self.options.visibility_seconds)
        self.watch.observe(system, made, session, self._stopping)
        auth, users = provision_auth(system, session, self.aws_endpoint, REGION, self._saved_users(system.name),
                                     model=self.aws.call)  # fmt: skip
        urls = self.storage.urls(system)
        self.say(f"-> {system.name}: migrating {len(urls)} schema(s): {self.storage.shown(system, ROOT)}")
        try:
            migrate(system, urls)
        except Exception as e:
            raise StartError(f"{system.name}: database not reachable or not migratable: {e}") from None
        # The users and the data start together: their common stamp is kept with each, users saved at once.
        stamp = self._stamps[system.name]
        assert self._control is not None
        self._control.record(system.name, stamp)
        self.aws.call("save_users", auth.user_pool_id, REGION, self._saved_users(system.name), stamp)
        functions = service_functions(system, made, urls, auth, workers=self.options.workers)
        for service in functions.values():
            service.on_logs = self.watch.function_logs(system.name)
        self.schedules.add(system)
        self._serve(system, functions, auth, port)
        api_url = f"http://127.0.0.1:{port}"
        self.systems[system.name] = RunningSystem(system, api_url, made, auth, users, functions, urls, stamp=stamp)
        self.say(f"   {system.title}: {api_url}")

    def _serve(self, system: spec.System, functions: dict[str, ServiceFunctions], auth: LocalAuth, port: int) -> None:
        from local.gateway import JwtSettings, build_gateway

        jwt = JwtSettings(jwks_url=auth.jwks_url, issuer=auth.issuer, client_ids=(auth.client_id,))
        gateway = build_gateway(system, functions, jwt=jwt, trail=self.watch.trail)
        self._serve_app(f"{system.name} gateway", with_controls(system.name, gateway, self.schedules), port)

    def _serve_site(self, running: RunningSystem, port: int) -> None:
        """The web app, configured for the local API and local Cognito, whose origins its CSP allows."""
        from local.site import SiteServer

        assert running.system.site_dir, "only systems with a web app are served"
        config = site_config(api_url=running.api_url, region=REGION, user_pool_id=running.auth.user_pool_id,
                             client_id=running.auth.client_id, cognito_endpoint=f"{self.aws_endpoint}/")  # fmt: skip
        site = SiteServer(ROOT / running.system.site_dir, config, connect_sources=[running.api_url, self.aws_endpoint])
        self._serve_app(f"{running.system.name} site", site, port)
        running.site_url = f"http://127.0.0.1:{port}"
        self.say(f"   {running.system.title} web app: {running.site_url}")

    def _serve_console(self, port: int) -> None:
        """The local console (``local/console.py``): the running systems made visible; never deployed."""
        from local.console import Console

        self._serve_app("console", Console(self), port)
        self.console_url = f"http://127.0.0.1:{port}"
        self.say(f"   console: {self.console_url}")

    def _serve_app(self, what: str, app: Any, port: int) -> None:
        import uvicorn

        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, name=what, daemon=True)
        thread.start()
        self._servers.append(server)
        self._threads.append(thread)
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise StartError(f"{what} did not start on 127.0.0.1:{port}")
            time.sleep(0.02)

    def _saved_users(self, system: str) -> Path:
        return self.options.state_dir / "cognito" / f"{system}.json"

    def save_sign_in(self) -> None:
        """Keep every pool's users in the state folder (sign-ups included) for the next start."""
        assert self.aws is not None, "local AWS runs while systems do"
        for name, running in self.systems.items():
            if running.stamp:
                self.aws.call("save_users", running.auth.user_pool_id, REGION, self._saved_users(name), running.stamp)

    def _start_consumers(self) -> None:
        """Each subscription's event source mapping (its pollers); the sign-in saver; the idle workers' reaper."""
        for running in self.systems.values():
            sqs = self._session().client("sqs")
            for service, sub in topology.subscriptions(running.system):
                deliver = functools.partial(
                    consumers.deliver, running.system, service, sub, running.aws, running.functions, sqs, REGION,
                    wait_seconds=CONSUMER_WAIT_SECONDS, trail=self.watch.trail,
                )  # fmt: skip
                mapping = consumers.EventSourceMapping(
                    f"{running.system.name}/{service.name}/{sub.name}", deliver,
                    batch_size=min(sub.batch_size, 10), concurrency=self._pollers(sub), stopping=self._stopping,
                )  # fmt: skip
                mapping.start()
                self.mappings.append(mapping)

        def keep_saving_sign_in() -> None:  # so a crash loses at most a few seconds of sign-ups
            while not self._stopping.wait(SAVE_SIGN_IN_SECONDS):
                self.save_sign_in()

        def keep_reaping_idle_workers() -> None:
            while not self._stopping.wait(REAP_SECONDS):
                for running in self.systems.values():
                    for functions in running.functions.values():
                        functions.reap()

        loops: list[tuple[str, Callable[[], None]]] = [("sign-in state", keep_saving_sign_in)]
        if self.options.workers:
            loops.append(("idle workers", keep_reaping_idle_workers))
        for name, target in loops:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._background.append(thread)

    def _pollers(self, sub: spec.Subscription) -> int:
        """The most batches of the subscription's queue in flight at once: with workers, its declared maximum
        concurrency (else the settings' pollers); one otherwise, as invocations take turns anyway."""
        if self.options.workers is None:
            return 1
        return sub.max_concurrency or self.options.workers.pollers

    def endpoints(self) -> dict[str, Any]:
        """What ``.local/endpoints.json`` holds (``tools/endpoints.py`` describes the shape)."""
        return {
            "aws_endpoint": self.aws_endpoint,
            "region": REGION,
            "console_url": self.console_url,
            "systems": {
                name: {
                    "api_url": r.api_url,
                    "site_url": r.site_url,
                    "user_pool_id": r.auth.user_pool_id,
                    "client_id": r.auth.client_id,
                    "issuer": r.auth.issuer,
                    "jwks_url": r.auth.jwks_url,
                    "topic_inboxes": r.aws.topic_inboxes,
                    "users": [asdict(u) for u in r.users],
                }
                for name, r in self.systems.items()
            },
        }

    def write_endpoints(self) -> None:
        """Announce readiness to scripts: written last, once the caller has also seeded its data."""
        path = self.options.state_dir / "endpoints.json"
        path.write_text(json.dumps(self.endpoints(), indent=2) + "\n")
        self.say(f"-> ready; endpoints in {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    # --- stop ---------------------------------------------------------------------------------------------------
    def stop(self) -> None:
        self._stopping.set()
        self.schedules.stop()
        for mapping in self.mappings:  # these loops first: they call local AWS, which stops below
            mapping.join(timeout=CONSUMER_WAIT_SECONDS + 5)
        for thread in self._background:
            thread.join(timeout=CONSUMER_WAIT_SECONDS + 5)
        self.watch.join(timeout=CONSUMER_WAIT_SECONDS + 5)
        if self.systems:
            try:
                self.save_sign_in()
            except (AwsServerError, OSError) as e:  # local AWS died first: the last few seconds of sign-ups are lost
                log.error("sign-ups since the last save were not kept: local AWS is gone (%s)", e)
        for server in reversed(self._servers):
            if hasattr(server, "should_exit"):
                server.should_exit = True
            else:
                server.stop()
        for thread in self._threads:
            thread.join(timeout=5)
        for running in self.systems.values():
            for functions in running.functions.values():
                functions.stop()
        if self._control:
            self._control.close()
        (self.options.state_dir / "endpoints.json").unlink(missing_ok=True)


@contextmanager
def throwaway_runtime(systems: Sequence[str] = tuple(SYSTEMS), *, workers: WorkerSettings | None = DEFAULT_WORKERS,
                      seeded: bool = True) -> Iterator[LocalRuntime]:  # fmt: skip
    """A runtime for tools and benchmarks: ``systems`` on free ports, a state folder that is deleted afterwards, the
    demo data when ``seeded``; stopped on leaving, whatever happened."""
    from local.demo import runtime_target, seed

    with tempfile.TemporaryDirectory() as state:
        options = Options(systems=tuple(systems), state_dir=Path(state), base_port=free_base_port(systems),
                          workers=workers)  # fmt: skip
        runtime = LocalRuntime(options, say=lambda line: None)
        try:
            runtime.start()
            if seeded:
                seed(runtime_target(runtime))
            yield runtime
        finally:
            runtime.stop()
