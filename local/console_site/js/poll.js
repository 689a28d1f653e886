// Refreshing a view while it is open: at once, then every `ms` after the last call ended (never two at once), not
// while the tab is hidden. A failed call goes to `failed` (the view says so) and the next one still comes. A view
// returns the function this returns, so the console stops the refreshing when the view closes.

export function every(ms, tick, failed) {
  let stopped = false;
  let timer = null;
  const run = async () => {
    if (stopped) return;
    try {
      if (!document.hidden) await tick();
    } catch (error) {
      if (!stopped) failed(error);
    }
    if (!stopped) timer = setTimeout(run, ms);
  };
  run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
