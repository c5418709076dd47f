/**
 * The portable test files that also run inside workerd. A file belongs here when
 * it needs neither a filesystem nor sockets; tests inside it that do are marked
 * `{ skip: ["workerd"] }`.
 */
import "../handler.test.ts";
