// Search boxes: the API's `q` from a box's text, and a search run once the typing pauses.

const DELAY_MS = 250;
const MAX_LENGTH = 100; // the API's longest q

/** The box's text as `q`, or undefined when empty (no filter). */
export function searchText(input) {
  return input.value.trim().slice(0, MAX_LENGTH) || undefined;
}

/** Runs `search()` once the typing in `input` has paused; Enter searches at once. */
export function onSearch(input, search) {
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    clearTimeout(timer);
    search();
  });
}

/** Wraps a loader so that only the newest call's answer is shown: `render` is skipped for an overtaken one. */
export function newestOnly() {
  let latest = 0;
  return async (fetching, render) => {
    const mine = ++latest;
    const result = await fetching;
    if (mine === latest) render(result);
  };
}
