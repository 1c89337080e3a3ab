// pino-roll ships no types: the part Tieout uses (log-files.ts).
declare module 'pino-roll' {
  import type SonicBoom from 'sonic-boom';
  type PinoRollOptions = Readonly<{
    file: string;
    size?: string | number;
    frequency?: string | number;
    extension?: string;
    limit?: Readonly<{ count?: number; removeOtherLogFiles?: boolean }>;
    mkdir?: boolean;
    mode?: number;
    sync?: boolean;
  }>;
  export default function pinoRoll(options: PinoRollOptions): Promise<SonicBoom>;
}
