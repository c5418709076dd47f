/**
 * The per-message size limit where the runtime has none of its own (Deno,
 * Workers): a message over it is not delivered, and the socket is closed with
 * 1009 (Message Too Big, RFC 6455 §7.4.1). The runtime has received the
 * whole message by then; what the limit spares is the app.
 *
 * @module
 */

/** 1009: the message is too big to process. */
export const MESSAGE_TOO_BIG = 1009;

const encoder = new TextEncoder();

/** The size of a message's data in bytes (a string as UTF-8). */
function sizeOf(data: unknown, max: number): number {
  if (typeof data === "string") {
    // A UTF-16 unit is 1 to 3 bytes of UTF-8: only a string near the limit is measured.
    if (data.length * 3 <= max) return data.length;
    if (data.length > max) return data.length;
    return encoder.encode(data).byteLength;
  }
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  if (data instanceof Blob) return data.size;
  return 0;
}

/**
 * Closes `socket` with 1009 on a message larger than `max` bytes. The
 * listener is the socket's first, so the message reaches no other.
 */
export function limitMessageSize(socket: WebSocket, max: number): void {
  socket.addEventListener("message", (event) => {
    if (sizeOf(event.data, max) <= max) return;
    event.stopImmediatePropagation();
    socket.close(MESSAGE_TOO_BIG, `message over ${max} bytes`);
  });
}
