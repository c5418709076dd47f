/**
 * fetchkit: `compose()` of three pass-through middleware around a hello
 * handler, served by `serve()`. Listens on $PORT.
 */
import { compose, type Middleware, serve } from "../../mod.ts";

const passThrough: Middleware = (next) => (request) => next(request);
const app = compose(passThrough, passThrough, passThrough)(() => new Response("Hello, world"));
await serve(app, { onListen() {} });
