/** Waiting helpers for tests: every wait has a deadline, so a broken case fails instead of hanging. */

/** Resolves once `check()` is true; throws naming `what` after `ms` milliseconds. */
export async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
