// The app's name and version, from package.json (bundled at build time, read by tsx from source).
import pkg from '../../package.json';

export const APP_NAME = 'Finetune Studio';
export const APP_VERSION: string = pkg.version;
