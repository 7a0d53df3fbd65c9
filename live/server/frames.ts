import type { Duplex } from 'node:stream';
import * as ws from 'ws';
import type WebSocket from 'ws';

/** ws's frame builder (exported by ws, not declared in its types). */
const Sender = (ws as unknown as { Sender: { frame(d: Buffer, o: Record<string, unknown>): Buffer[] } }).Sender;

/**
 * A server-to-client text frame built once for a fan-out: the payload encoded once and the frame
 * header put in front of it in one buffer, so each recipient costs one socket write of the same
 * bytes (no per-socket encoding, header or writev). Server frames are not masked (RFC 6455 §5.1).
 */
export function preparedTextFrame(text: string): Buffer {
  const data = Buffer.from(text, 'utf8');
  const parts = Sender.frame(data, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false });
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/**
 * Writes a prepared frame to an open socket. ws's own sender writes each frame straight to the
 * socket when compression is off (it queues only while compressing), so writing the same bytes
 * to the socket keeps the order of frames; with compression on, or without a socket, the message
 * goes through `ws.send` instead.
 */
export function sendPrepared(ws: WebSocket, frame: Buffer, text: string): void {
  const socket = (ws as unknown as { _socket?: Duplex; _extensions?: Record<string, unknown> });
  if (socket._socket && !socket._extensions?.['permessage-deflate']) socket._socket.write(frame);
  else ws.send(text);
}
