import { describe, expect, it } from 'vitest';
import { parseBenchReport, type MetricStats } from '../../calibrate/import/bench-report.ts';
import { parseCloudWatchCsv, parseMinute } from '../../calibrate/import/cloudwatch.ts';
import { combineStats, medianOfMedians, withinReportStddev } from '../../calibrate/import/combine.ts';
import { parseMysqlQueries, parseRedisInfo } from '../../calibrate/import/counters.ts';
import { compileServers, type ServerSource } from '../../calibrate/import/servers.ts';
import { UserError } from '../../model/errors.ts';

const ESC = '\u001b';
const REPORT = [
  `${ESC}[32mLaunch bench with 200 total connection, 1 concurent connection${ESC}[39m`,
  `${ESC}[32m0 message(s) send by client${ESC}[39m`,
  'Printing summary in 5s.',
  '',
  'Time taken           5600625 milliseconds',
  'Connected            199',
  'Disconnected         0',
  'Failed               1',
  '',
  'Durations (ms):',
  '',
  '                     min     mean     stddev  median     max sampleCount',
  'Handshaking          869     874          11     871     953     199',
  'Latency              216     345         541     221    7276   69907',
  'Broadcast Latency    116     307         166     246    6015   359618',
  '',
  'Percentile (ms):',
  '',
  '                      50%     66%     75%     80%     90%     95%     98%     98%    100%   ',
  'Handshaking          871     873     874     876     881     887     902     940     953    ',
  'Latency              221     230     240     250     300     700    2000    3000    7276   ',
  'Broadcast Latency    246     270     300     320     400     500     700     800    6015   ',
  '',
  'Received errors:',
  '',
  '1x                   read ECONNRESET',
].join('\n');

function expectUserError(f: () => unknown, code: string, message: RegExp): void {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe(code);
    expect((err as UserError).message).toMatch(message);
    expect((err as UserError).message).not.toContain('\n');
    return;
  }
  throw new Error('expected a UserError');
}

describe('WebSocket-bench report reader', () => {
  it('reads counts, durations and percentiles through the ANSI codes; the second 98% is the 99th', () => {
    const r = parseBenchReport(REPORT, 'r/1');
    expect(r).toMatchObject({ launched: 200, connected: 199, failed: 1, disconnected: 0, timeTakenMs: 5600625, errors: { 'read ECONNRESET': 1 } });
    expect(r.metrics.handshake).toEqual({
      count: 199, min: 869, mean: 874, stddev: 11, median: 871, max: 953,
      percentiles: { p50: 871, p66: 873, p75: 874, p80: 876, p90: 881, p95: 887, p98: 902, p99: 940 },
    });
    expect(r.metrics.request!.count).toBe(69907);
    expect(r.metrics.broadcast!.percentiles.p99).toBe(800);
  });
  it('launched comes from the first line; without it, it is unknown; fewer than Connected + Failed is an error', () => {
    const pendingReport = REPORT.replace('Connected            199', 'Connected            150').replace('Handshaking          869     874          11     871     953     199', 'Handshaking          869     874          11     871     953     150');
    expect(parseBenchReport(pendingReport, 'r/1')).toMatchObject({ launched: 200, connected: 150, failed: 1 });
    const noLaunch = REPORT.split('\n').filter((l) => !l.includes('Launch bench')).join('\n');
    expect(parseBenchReport(noLaunch, 'r/1').launched).toBeNull();
    const tooFew = REPORT.replace('200 total connection', '100 total connection');
    expectUserError(() => parseBenchReport(tooFew, 'r/1'), 'IMPORT_MALFORMED', /^r\/1:1: Launch bench total connections must be a whole number at least Connected \+ Failed = 200 \(got 100\)$/);
  });
  it('a metric with a header but no data row, or with a zero count, has no samples', () => {
    const noRow = REPORT.split('\n').filter((l) => !l.startsWith('Broadcast Latency')).join('\n');
    expect(parseBenchReport(noRow, 'r/1').metrics.broadcast).toBeNull();
    const zero = REPORT.replace('Broadcast Latency    116     307         166     246    6015   359618', 'Broadcast Latency    0     0         0     0    0   0');
    expect(parseBenchReport(zero, 'r/1').metrics.broadcast).toBeNull();
    const bare = REPORT.replace('Broadcast Latency    116     307         166     246    6015   359618', 'Broadcast Latency');
    expect(parseBenchReport(bare, 'r/1').metrics.broadcast).toBeNull();
  });
  it('reads huge values (a stalled system reports minutes)', () => {
    const huge = REPORT.replace('Latency              216     345         541     221    7276   69907', 'Latency              216     2400000         1e6     221    987654321   69907');
    expect(parseBenchReport(huge, 'r/1').metrics.request).toMatchObject({ mean: 2400000, stddev: 1e6, max: 987654321 });
  });
  it('anything unreadable is one line naming the file and the line', () => {
    expectUserError(() => parseBenchReport(REPORT.replace('345', '3x5'), 'clients/eu/1.2.3.4/1'), 'IMPORT_MALFORMED', /^clients\/eu\/1\.2\.3\.4\/1:14: Latency mean is not a number \(got "3x5"\)$/);
    expectUserError(() => parseBenchReport(REPORT.replace('541     221    7276', '541     221'), 'f'), 'IMPORT_MALFORMED', /^f:14: Latency has 5 values for 6 columns$/);
    expectUserError(() => parseBenchReport(REPORT.replace('stddev', 'sd'), 'f'), 'IMPORT_MALFORMED', /^f:12: durations header lacks the column "stddev"/);
    expectUserError(() => parseBenchReport(REPORT.replace('Latency              221', 'Lat 221'), 'f'), 'IMPORT_MALFORMED', /^f:21: unexpected line in the percentiles table/);
    expectUserError(() => parseBenchReport('hello\nworld\n', 'notes.txt'), 'IMPORT_MALFORMED', /^notes\.txt:3: no "Connected" line/);
  });
});

function stats(samples: number[]): MetricStats {
  const n = samples.length;
  const mean = samples.reduce((s, x) => s + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(samples.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: n, min: sorted[0], mean, stddev: sd, median: sorted[n >> 1], max: sorted[n - 1], percentiles: { p98: sorted[Math.floor(0.98 * (n - 1))] } };
}

describe('combining report summaries', () => {
  it('count, mean, pooled stddev, min and max equal those of the union of samples', () => {
    const a = [1, 5, 9, 2, 200];
    const b = [40, 41, 42];
    const c = [7];
    const all = stats([...a, ...b, ...c]);
    const s = combineStats([stats(a), stats(b), null, stats(c)]);
    expect(s.count).toBe(9);
    expect(s.mean).toBeCloseTo(all.mean, 12);
    expect(s.stddev).toBeCloseTo(all.stddev, 12);
    expect(s.min).toBe(1);
    expect(s.max).toBe(200);
  });
  it('percentiles and medians are count-weighted averages (the labelled approximation)', () => {
    const s = combineStats([stats([1, 2, 3]), stats([10])]);
    expect(s.median).toBeCloseTo((3 * 2 + 1 * 10) / 4, 12);
    expect(s.p98).toBeCloseTo((3 * 2 + 10) / 4, 12);
    expect(s.p66).toBeNull(); // no report printed it
  });
  it('no samples: an empty Summary', () => {
    expect(combineStats([null, null])).toMatchObject({ count: 0, mean: null, stddev: null, min: null, p50: null });
  });
  it('within-report stddev and median of medians', () => {
    expect(withinReportStddev([stats([1, 3]), stats([10, 10])])).toBeCloseTo(Math.sqrt((2 * 2 + 0) / 4), 12);
    expect(medianOfMedians([stats([1]), stats([5]), stats([3]), null])).toBe(3);
    expect(medianOfMedians([stats([1]), stats([5])])).toBe(3);
  });
});

const HEADER = 'Timestamp,Average,Maximum,Minimum,Sum,SampleCount,Unit';

describe('CloudWatch CSV reader', () => {
  it('reads rows in any order; Sum for Bytes and Count, Average for levels; sizes in bytes', () => {
    const net = parseCloudWatchCsv(`${HEADER}\n2015-07-31 15:37:00,10.0,10.0,10.0,20.0,2.0,Bytes\n2015-07-31 15:36:00,5.0,5.0,5.0,5.0,1.0,Bytes\n`, 'NetworkIn', 'n.csv');
    expect([...net.values.entries()]).toEqual([[parseMinute('2015-07-31 15:37:00'), 20], [parseMinute('2015-07-31 15:36:00'), 5]]);
    const disk = parseCloudWatchCsv(`${HEADER}\n2015-07-31 15:20:00,119.5,119.5,119.5,239.0,2.0,Gigabytes\n`, 'DiskSpaceAvailable', 'd.csv');
    expect(disk.values.get(parseMinute('2015-07-31 15:20:00')!)).toBe(119.5 * 2 ** 30);
    expect(disk.unit).toBe('Bytes');
    const cpu = parseCloudWatchCsv(`"Timestamp","Unit","Average"\n"2015-07-31 15:20:00","Percent","3.05"\n`, 'CPUUtilization', 'c.csv');
    expect(cpu.values.get(parseMinute('2015-07-31 15:20:00')!)).toBe(3.05);
  });
  it('errors name the file and line', () => {
    expectUserError(() => parseCloudWatchCsv('Time,Average\n', 'X', 'x.csv'), 'IMPORT_MALFORMED', /^x\.csv:1: header has no "Timestamp" column/);
    expectUserError(() => parseCloudWatchCsv(`${HEADER}\n2015-07-31 15:20:00,1,1,1,1,1,Percent\nyesterday,1,1,1,1,1,Percent\n`, 'X', 'x.csv'), 'IMPORT_MALFORMED', /^x\.csv:3: Timestamp "yesterday"/);
    expectUserError(() => parseCloudWatchCsv(`${HEADER}\n2015-07-31 15:20:00,abc,1,1,1,1,Percent\n`, 'X', 'x.csv'), 'IMPORT_MALFORMED', /^x\.csv:2: Average "abc" is not a number$/);
    expectUserError(() => parseCloudWatchCsv(`${HEADER}\n2015-07-31 15:20:00,1,1,1,1,1,Percent\n2015-07-31 15:20:00,2,2,2,2,1,Percent\n`, 'X', 'x.csv'), 'IMPORT_MALFORMED', /^x\.csv:3: minute 2015-07-31 15:20:00 appears twice$/);
    expectUserError(() => parseCloudWatchCsv(`${HEADER}\n2015-07-31 15:20:00,1,1,1\n`, 'X', 'x.csv'), 'IMPORT_MALFORMED', /^x\.csv:2: 4 cells for 7 header columns$/);
  });
});

function series(metric: string, values: number[], from: number, unit = 'Percent') {
  return { file: `${metric}.csv`, metric, unit, values: new Map(values.map((v, i) => [from + i, v])) };
}

describe('compiling servers the thesis way', () => {
  const t0 = parseMinute('2015-07-31 15:00:00')!;
  const instance = (name: string, region: string, metrics: ReturnType<typeof series>[]): ServerSource =>
    ({ region, name, group: false, where: `servers/${region}/${name}`, series: new Map(metrics.map((m) => [m.metric, m])) });
  const big = instance('big', 'eu-west-1', [
    series('CPUUtilization', [10, 10], t0), series('MemoryUsed', [10, 10], t0, 'Bytes'), series('MemoryAvailable', [90, 90], t0, 'Bytes'),
    series('NetworkIn', [100, 100], t0, 'Bytes'),
  ]);
  const small = instance('small', 'us-east-1', [
    series('CPUUtilization', [50, 70], t0), series('MemoryUsed', [5, 5], t0, 'Bytes'), series('MemoryAvailable', [5, 5], t0, 'Bytes'),
    series('NetworkIn', [1, 1], t0, 'Bytes'),
  ]);
  const spec = (region: string) => (region === 'eu-west-1' ? { type: 'c3.8xlarge', cores: 32 } : { type: 'm3.xlarge', cores: 4 });
  it('CPU weighted by cores, memory as Σused/Σavailable (not a mean of percentages), network summed', () => {
    const out = compileServers([big, small], { from: t0, to: t0 + 1 }, spec);
    expect(out.resources.perMinute[0].cpu).toBeCloseTo((32 * 10 + 4 * 50) / 36, 12);
    expect(out.resources.perMinute[1].cpu).toBeCloseTo((32 * 10 + 4 * 70) / 36, 12);
    expect(out.resources.perMinute[0].memory).toBeCloseTo((100 * 15) / 95, 12); // a mean of percentages would be 55.6
    expect(out.resources.perMinute[0].disk).toBeNull();
    expect(out.network!.perMinute[0].inBytes).toBe(101);
    expect(out.network!.inBytes).toBe(202);
    expect(out.network!.outBytes).toBeNull();
    expect(out.resources.instances.map((i) => [i.name, i.cores, i.cpu.avg])).toEqual([['big', 32, 10], ['small', 4, 60]]);
  });
  it('a minute missing from one source is null, never a partial sum, and is noted', () => {
    const out = compileServers([big, small], { from: t0, to: t0 + 2 }, spec);
    expect(out.resources.perMinute[2].cpu).toBeNull();
    expect(out.network!.perMinute[2].inBytes).toBeNull();
    expect(out.network!.inBytes).toBe(202);
    expect(out.notes.some((n) => n.includes('CPUUtilization.csv has no row for 1 of 3 minutes'))).toBe(true);
  });
  it('a window with no rows at all is an error', () => {
    expectUserError(() => compileServers([big], { from: t0 + 100, to: t0 + 110 }, spec), 'IMPORT_MALFORMED', /holds no CloudWatch row; check --from and --to$/);
  });
});

describe('Redis INFO and MySQL Queries counters', () => {
  it('reads keyspace hits and misses from INFO', () => {
    expect(parseRedisInfo('# Stats\r\nkeyspace_hits:50025404\r\nkeyspace_misses:312581\r\nexpired_keys:3\r\n', 'redis-info.txt')).toEqual({ hits: 50025404, misses: 312581 });
    expectUserError(() => parseRedisInfo('# Stats\nkeyspace_hits:1\n', 'redis-info.txt'), 'IMPORT_MALFORMED', /^redis-info\.txt:3: no keyspace_misses line/);
    expectUserError(() => parseRedisInfo('keyspace_hits:x\nkeyspace_misses:1\n', 'redis-info.txt'), 'IMPORT_MALFORMED', /^redis-info\.txt:1: keyspace_hits must be a non-negative whole number/);
  });
  it('reads Queries from the mysql client table, tab-separated and JSON forms', () => {
    expect(parseMysqlQueries('| Variable_name | Value |\n| Queries       | 33158053 |\n', 'mysql-status.txt')).toBe(33158053);
    expect(parseMysqlQueries('Variable_name\tValue\nQueries\t42\n', 'mysql-status.txt')).toBe(42);
    expect(parseMysqlQueries('{"Queries": 7}', 'mysql-status.json')).toBe(7);
    expect(parseMysqlQueries('[{"Variable_name":"Queries","Value":"9"}]', 'mysql-status.json')).toBe(9);
    expectUserError(() => parseMysqlQueries('{"Questions": 7}', 'mysql-status.json'), 'IMPORT_MALFORMED', /^mysql-status\.json:1: no Queries value/);
    expectUserError(() => parseMysqlQueries('{oops', 'mysql-status.json'), 'IMPORT_MALFORMED', /^mysql-status\.json:1: not valid JSON/);
  });
});
