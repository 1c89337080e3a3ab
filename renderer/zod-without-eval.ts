import { z } from 'zod';

// Zod 4 probes for eval (`Function('')`) on its first parse to compile fast
// validators. The page's CSP has no 'unsafe-eval', so the probe is blocked and
// reported as a violation on every load; jitless mode skips the probe and the
// compiled path (the renderer parses little, speed is not at stake).
// Imported first by main.tsx, before any schema runs.
z.config({ jitless: true });
