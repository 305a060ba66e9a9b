// The app store: app.info and store.status, moving a broken database aside, the connection state.
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { installApi } from '../../../src-renderer/src/api';
import { useAppStore } from '../../../src-renderer/src/stores/app';
import { createFakeApi, type FakeApi } from '../helpers/fake-api';
import type { StoreStatus } from '../../../src-main/common/store';

const broken: StoreStatus = { path: '/d/ftstudio.duckdb', ok: false, schemaVersion: 9, supportedVersion: 2, problem: 'newer-schema', message: null };
const fresh: StoreStatus = { path: '/d/ftstudio.duckdb', ok: true, schemaVersion: 2, supportedVersion: 2, problem: null, message: null };
let fake: FakeApi;

beforeEach(() => {
  fake = createFakeApi({
    'app.info': () => ({ name: 'Finetune Studio', version: '0.1.0', mode: 'serve', home: '/d', platform: 'linux' }),
    'store.status': () => broken,
    'store.moveAside': () => ({ movedTo: '/d/ftstudio.duckdb.aside-1', status: fresh }),
  });
  installApi(fake.transport);
  setActivePinia(createPinia());
});

describe('app store', () => {
  it('loads app.info and the store status, and exposes a store problem', async () => {
    const app = useAppStore();
    await app.load();
    expect(app.info?.version).toBe('0.1.0');
    expect(app.storeProblem?.problem).toBe('newer-schema');
  });

  it('moves the file aside, remembers where, and clears the problem', async () => {
    const app = useAppStore();
    await app.load();
    await app.moveAside();
    expect(app.movedTo).toBe('/d/ftstudio.duckdb.aside-1');
    expect(app.storeProblem).toBeNull();
    expect(app.movingAside).toBe(false);
  });

  it('follows the connection state', () => {
    const app = useAppStore();
    expect(app.connection.status).toBe('connected');
    fake.setConnection('disconnected');
    expect(app.connection.status).toBe('disconnected');
  });
});
