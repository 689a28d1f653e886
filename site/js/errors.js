// Errors whose message is written for the person using the app: never a stack trace or raw JSON.

export class UserError extends Error {}

/** "product X: 3 requested" → "Product X: 3 requested." (API messages are lower-case fragments). */
export function sentence(text) {
  const trimmed = String(text).trim();
  if (!trimmed) return trimmed;
  const capital = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** The text to show for any failure; an unexpected one is a bug in the page, so it is also logged. */
export function readable(error) {
  if (error instanceof UserError) return error.message;
  console.error(error);
  return "Something went wrong in the page. Reload it and try again.";
}

/** A refusal's field errors (a 422's errors[]) as {field: sentence}; none for any other failure. */
export function fieldErrors(error) {
  const list = Array.isArray(error?.errors) ? error.errors : [];
  return Object.fromEntries(list.filter((e) => e?.field).map((e) => [e.field, sentence(e.message || e.code)]));
}
