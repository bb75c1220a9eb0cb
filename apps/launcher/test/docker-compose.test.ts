import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SERVICE_NAMES } from '@loyalty/platform';

/** No Docker engine runs here: the file is checked for what it must contain. */
describe('docker-compose.yml', () => {
  const file = parse(readFileSync(join(__dirname, '..', '..', '..', 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as {
    services: Record<
      string,
      {
        environment?: Record<string, string>;
        depends_on?: unknown;
        deploy?: { replicas?: number };
        image?: string;
        build?: unknown;
      }
    >;
  };

  it('runs MySQL 8, Redis, every subgraph and the gateway', () => {
    expect(file.services.mysql.image).toMatch(/^mysql:8/);
    expect(file.services.redis.image).toMatch(/^redis:/);
    for (const name of [...SERVICE_NAMES, 'gateway']) {
      expect(file.services[name]).toBeDefined();
      expect(file.services[name].environment?.TARGET).toBe(name);
    }
  });

  it('points every service at MySQL and Redis, and the gateway at every subgraph', () => {
    for (const name of SERVICE_NAMES) {
      expect(file.services[name].environment?.MYSQL_URL).toMatch(/^mysql:\/\/.*@mysql:3306/);
      expect(file.services[name].environment?.REDIS_URL).toBe('redis://redis:6379');
    }
    for (const name of SERVICE_NAMES) {
      expect(file.services.gateway.environment?.[`${name.toUpperCase()}_URL`]).toBe(
        `http://${name}:4000/graphql`,
      );
    }
  });
});
