/**
 * The other side of the live bench cases, in its own process so the measured part's CPU is its
 * own (forked by bench/live.ts, configured by argv, talks over IPC):
 * - `push <pushEveryMs>`: a minimal WebSocket server speaking the live protocol: answers every
 *   request at once (games, joined, pools, confirmed) and pushes one `pool_update` to every
 *   joined socket every `pushEveryMs` (the study's window: one update per pool every 3 s);
 * - `ping <port> <connections> <perSecond> <seconds>`: opens connections to a TCP port (the
 *   proxy in front of an echo server), sends numbered lines open-loop at an aggregate rate and
 *   reports each round trip and its own event-loop lag (a late receiver adds its lag to the
 *   round trip, which is why the proxy's own error is measured in the proxy);
 * - `echo`: a TCP echo server.
 */
import net from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { LoopDelayMonitor } from '../live/loopdelay.ts';

const send = (m: unknown) => process.send?.(m);
process.on('disconnect', () => process.exit(0));

function pushServer(pushEveryMs: number): void {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  const joined = new Set<WebSocket>();
  const pool = { id: 1, gameId: 1, name: 'Match result', outcomes: ['home', 'draw', 'away'] };
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('close', () => joined.delete(ws));
    ws.on('message', (data) => {
      const req = JSON.parse(String(data)) as { type: string; rid: number; gameId?: number; prediction?: { id: string } };
      let res: Record<string, unknown>;
      switch (req.type) {
        case 'list_games': res = { type: 'games', rid: req.rid, games: [{ id: 1, name: 'Final', startsAt: 0 }] }; break;
        case 'join_game': joined.add(ws); res = { type: 'joined', rid: req.rid, gameId: req.gameId }; break;
        case 'list_pools': res = { type: 'pools', rid: req.rid, pools: [pool] }; break;
        default: res = { type: 'confirmed', rid: req.rid, id: req.prediction?.id, duplicate: false };
      }
      ws.send(JSON.stringify(res));
    });
  });
  let pushed = 0;
  setInterval(() => {
    const text = JSON.stringify({ type: 'pool_update', gameId: 1, poolId: 1, distribution: { home: 1.9, draw: 3.2, away: 4.1 }, publishedAt: Date.now(), publisher: 'bench' });
    for (const ws of joined) if (ws.readyState === WebSocket.OPEN) ws.send(text);
    pushed += joined.size;
  }, pushEveryMs);
  wss.on('listening', () => send({ type: 'ready', port: (wss.address() as net.AddressInfo).port }));
  process.on('message', (m: { type?: string }) => { if (m?.type === 'count') send({ type: 'count', pushed }); });
}

function echoServer(): void {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('error', () => {});
    s.pipe(s);
  });
  server.listen(0, '127.0.0.1', () => send({ type: 'ready', port: (server.address() as net.AddressInfo).port }));
}

async function pinger(port: number, connections: number, perSecond: number, seconds: number): Promise<void> {
  const sockets: net.Socket[] = [];
  const rtts: number[] = [];
  let outOfOrder = 0;
  for (let c = 0; c < connections; c++) {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    await new Promise((r) => s.once('connect', r));
    const sent = new Map<number, number>();
    let buf = '';
    let last = -1;
    s.on('data', (d) => {
      const now = performance.now();
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const seq = Number(buf.slice(0, i));
        buf = buf.slice(i + 1);
        if (seq !== last + 1) outOfOrder++;
        last = seq;
        rtts.push(now - sent.get(seq)!);
        sent.delete(seq);
      }
    });
    (s as net.Socket & { sent?: Map<number, number>; seq?: number }).sent = sent;
    (s as net.Socket & { seq?: number }).seq = 0;
    sockets.push(s);
  }
  send({ type: 'connected' });
  const lag = new LoopDelayMonitor();
  let lagP99Ms = NaN;
  // open loop: every millisecond tick sends what the clock says is due, round-robin over the sockets
  const t0 = performance.now();
  let due = 0;
  let k = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const t = performance.now() - t0;
      const target = Math.min(Math.floor((t / 1000) * perSecond), Math.floor(seconds * perSecond));
      for (; due < target; due++) {
        const s = sockets[k++ % sockets.length] as net.Socket & { sent: Map<number, number>; seq: number };
        s.sent.set(s.seq, performance.now());
        s.write(`${s.seq++}\n`);
      }
      if (t > seconds * 1000) {
        clearInterval(tick);
        lagP99Ms = lag.take().p99Ms;
        lag.stop();
        send({ type: 'stopped' });
        resolve();
      }
    }, 1);
  });
  await new Promise((r) => setTimeout(r, 2000));
  for (const s of sockets) s.destroy();
  send({ type: 'done', rtts, outOfOrder, sent: due, lagP99Ms });
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'push') pushServer(Number(rest[0]));
else if (mode === 'echo') echoServer();
else if (mode === 'ping') void pinger(Number(rest[0]), Number(rest[1]), Number(rest[2]), Number(rest[3]));
else throw new Error(`livePeer: unknown mode ${mode}`);
