import { describe, expect, it } from 'vitest';
import { BUILT_IN_ARCHITECTURES, builtInArchitecture, masterOf, parseArchitecture, scaleServers, serverCores } from '../../model/architecture.ts';
import { UserError } from '../../model/errors.ts';
import { loadArchitecture } from '../../model/load.ts';

describe('built-in architectures (SYSTEM.md §3)', () => {
  it('are the three of the study and all validate', () => {
    expect(BUILT_IN_ARCHITECTURES).toEqual(['baseline', 'proposed1', 'proposed2']);
    for (const name of BUILT_IN_ARCHITECTURES) expect(builtInArchitecture(name).name).toBe(name);
  });
  it('baseline: one c3.8xlarge in Ireland, 16 processes, data co-located', () => {
    const a = builtInArchitecture('baseline');
    expect(a.servers).toHaveLength(1);
    expect(a.servers[0]).toMatchObject({ region: 'eu-west-1', instanceType: 'c3.8xlarge', count: 1, processesPerInstance: 16 });
    expect(a.redis[0].colocatedWith).toBe('eu');
    expect(a.mysql[0].colocatedWith).toBe('eu');
    expect(serverCores(a)).toBe(32);
  });
  it('proposed1: 8 regions, remote Redis and RDS in Ireland', () => {
    const a = builtInArchitecture('proposed1');
    expect(a.servers).toHaveLength(8);
    expect(new Set(a.servers.map((g) => g.redis.read))).toEqual(new Set(['redis']));
    expect(a.mysql[0]).toMatchObject({ region: 'eu-west-1', instanceType: 'db.r3.4xlarge' });
  });
  it('proposed2: 7 MySQL read replicas with Sydney→Singapore and California→Oregon chains', () => {
    const a = builtInArchitecture('proposed2');
    expect(a.mysql.filter((n) => n.replicaOf)).toHaveLength(7);
    const sydney = a.servers.find((g) => g.region === 'ap-southeast-2')!;
    const chain = masterOf(a.mysql, sydney.mysql.read);
    expect(chain.master.id).toBe('mysql-master');
    expect(chain.hops.map((n) => n.region)).toEqual(['ap-southeast-1', 'ap-southeast-1']);
    const cal = a.servers.find((g) => g.region === 'us-west-1')!;
    expect(masterOf(a.mysql, cal.mysql.read).hops[0].region).toBe('us-west-2');
    const ireland = a.servers.find((g) => g.region === 'eu-west-1')!;
    expect(ireland.mysql.read).toBe('mysql-master');
    expect(a.redis.filter((n) => n.colocatedWith)).toHaveLength(8);
  });
});

describe('validation names the field, the value and the rule', () => {
  const good = () => structuredClone(builtInArchitecture('proposed1')) as unknown as Record<string, any>;
  const message = (data: unknown) => {
    try {
      parseArchitecture(data, 'my.json');
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      return (err as Error).message;
    }
    throw new Error('expected a UserError');
  };
  it('rejects a negative count', () => {
    const a = good();
    a.servers[2].count = -1;
    expect(message(a)).toBe('servers[2].count must be a positive integer (got -1) in my.json');
  });
  it('rejects an unknown region', () => {
    const a = good();
    a.servers[0].region = 'mars-1';
    expect(message(a)).toBe('servers[0].region must be one of eu-west-1, us-east-1, us-west-2, us-west-1, sa-east-1, ap-southeast-1, ap-northeast-1, ap-southeast-2, eu-central-1 (got "mars-1") in my.json');
  });
  it('rejects a dangling node reference', () => {
    const a = good();
    a.servers[1].mysql.read = 'nowhere';
    expect(message(a)).toBe('servers[1].mysql.read must name a mysql node (mysql) (got "nowhere") in my.json');
  });
  it('rejects writes to a replica', () => {
    const a = structuredClone(builtInArchitecture('proposed2')) as unknown as Record<string, any>;
    a.servers[0].mysql.write = a.servers[3].mysql.read;
    expect(message(a)).toMatch(/servers\[0\]\.mysql\.write must name a master/);
  });
  it('lists every problem of the file, not the first', () => {
    const a = good();
    a.dbMode = 'psychic';
    a.servers[0].region = 'mars-1';
    a.servers[2].count = -1;
    a.mysql[0].colour = 'red';
    let err: UserError | undefined;
    try {
      parseArchitecture(a, 'my.json');
    } catch (e) {
      err = e as UserError;
    }
    expect(err?.problems).toEqual([
      'dbMode must be one of blocking, async, batched (got "psychic")',
      expect.stringMatching(/^servers\[0\]\.region must be one of eu-west-1, .* \(got "mars-1"\)$/),
      'servers[2].count must be a positive integer (got -1)',
      'mysql[0]: unknown key "colour"',
    ]);
    expect(err?.message).toMatch(/^my\.json has 4 problems: dbMode must be one of .*; mysql\[0\]: unknown key "colour"$/);
  });
  it('lists every broken reference', () => {
    const a = good();
    a.servers[1].mysql.read = 'nowhere';
    a.servers[2].redis.write = 'elsewhere';
    a.routing = { mode: 'single', endpoint: 'mars' };
    expect(message(a)).toMatch(/^my\.json has 3 problems: routing\.endpoint must name a server group \(.*\) \(got "mars"\); servers\[2\]\.redis\.write must name a redis node \(redis\) \(got "elsewhere"\); servers\[1\]\.mysql\.read must name a mysql node \(mysql\) \(got "nowhere"\)$/);
  });
  it('rejects unknown fields and an unknown name', () => {
    expect(message({ ...good(), colour: 'red' })).toMatch(/colour/);
    expect(() => loadArchitecture('proposed3')).toThrow(/--arch must be one of baseline, proposed1, proposed2/);
  });
});

describe('scaling', () => {
  it('multiplies server counts and keeps the rest', () => {
    const a = scaleServers(builtInArchitecture('proposed1'), 2.5);
    expect(a.servers.every((g) => g.count === 3)).toBe(true);
    expect(a.mysql).toEqual(builtInArchitecture('proposed1').mysql);
  });
});
