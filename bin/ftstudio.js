#!/usr/bin/env node
// The ftstudio command: runs the TypeScript CLI straight from the source tree through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/index.ts');
