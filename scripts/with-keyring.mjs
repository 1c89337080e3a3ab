// Runs a command where the OS keychain is usable: inside a private D-Bus
// session with a throw-away GNOME Keyring when there is no desktop session.
// `node scripts/with-keyring.mjs <command> [args…]`
import { resolve } from 'node:path';
import { ensureDependencies, ensureNodeNativeModules, reexecWithKeyringIfNeeded, root, run } from './env.mjs';

const args = process.argv.slice(2);
reexecWithKeyringIfNeeded(resolve(root, 'scripts/with-keyring.mjs'), args);
ensureDependencies();
ensureNodeNativeModules();
process.exit(run(args[0], args.slice(1)));
