/**
 * fetchkit's import rules, checked by `npm test` (dependency-cruiser). Five features side by side
 * (dispatch, static, middleware, bridge, serve) over a small portable core (src/*.ts, src/internal/);
 * one Node ⇄ Fetch layer (src/node/); the command line (src/cli/) on top. CONTRIBUTING.md explains why.
 */
const FEATURES = ["dispatch", "static", "middleware", "bridge", "serve"];
const featureRule = (name) => ({
  name: `no-sideways-from-${name}`,
  comment:
    `src/${name}/ stands beside the other features: it imports the core (and src/node/ where it runs on Node), never another feature nor the CLI`,
  severity: "error",
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${[...FEATURES.filter((f) => f !== name), "cli"].join("|")})/` },
});
/** Where runtime-specific code may live: the adapters. */
const ADAPTERS = "^src/(node|cli|serve/adapters|static/sources|middleware/adapters)/";

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "an import circle makes two modules one: merge them or move the shared part down",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-imports-no-feature",
      comment: "the core (src/*.ts, src/internal/) is what every feature builds on: it imports none of them",
      severity: "error",
      from: { path: "^(src/[^/]+\\.ts|src/internal/)" },
      to: { path: "^src/(dispatch|static|middleware|bridge|serve|node|cli)/" },
    },
    ...FEATURES.map(featureRule),
    {
      name: "node-layer-imports-only-core",
      comment: "src/node/ converts between Node and Fetch for serve, the bridges and the proxy: it knows none of them",
      severity: "error",
      from: { path: "^src/node/" },
      to: { path: "^src/(dispatch|static|middleware|bridge|serve|cli)/" },
    },
    {
      name: "runtime-modules-only-in-adapters",
      comment: "node:* modules are imported only by the adapters, so the rest runs on every runtime, Workers included",
      severity: "error",
      from: { path: "^src/", pathNot: ADAPTERS },
      to: { dependencyTypes: ["core"] },
    },
  ],
  options: {
    parser: "swc",
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|tests|bench|examples)/" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
