import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { preparedTextFrame, sendPrepared } from '../../../live/server/frames.ts';

describe('prepared fan-out frames', () => {
  it('arrive as the same text messages, in order with ordinary sends, at every size of length field', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise((r) => wss.once('listening', r));
    const port = (wss.address() as { port: number }).port;
    const texts = ['{"type":"pool_update"}', 'é'.repeat(100), 'x'.repeat(70_000)];
    const got: string[] = [];
    const done = new Promise<void>((resolve) => {
      const c = new WebSocket(`ws://127.0.0.1:${port}/`);
      c.on('message', (d) => {
        got.push(String(d));
        if (got.length === 2 * texts.length) {
          c.close();
          resolve();
        }
      });
    });
    const ws = await new Promise<WebSocket>((r) => wss.once('connection', r));
    for (const t of texts) {
      sendPrepared(ws, preparedTextFrame(t), t);
      ws.send(`plain ${t.length}`);
    }
    await done;
    expect(got).toEqual(texts.flatMap((t) => [t, `plain ${t.length}`]));
    await new Promise((r) => wss.close(r));
  });
});
