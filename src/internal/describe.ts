/** Names a value for an error message without dumping it. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (typeof value === "object") return `object with keys [${Object.keys(value).join(", ")}]`;
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}
