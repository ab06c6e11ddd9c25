/**
 * `monitor capture`: what the node sends and receives written to pcap files, SIP always and RTP/RTCP with
 * `media`, optionally one call's only. A ring of `files` files of `sizeBytes` each keeps only the newest
 * (as Wireshark's ring buffer does); a `durationMs` stops the capture by itself.
 */
import { SbcError } from '../errors/sbc-error.js';
import fs from 'node:fs';
import path from 'node:path';
import { type WirePacket, pcapFileHeader, pcapRecord } from './pcap-writer.js';

export interface CaptureOptions {
  /** The file (or, with a ring, the name the numbered files are made from: `x.pcap` -> `x_00001.pcap`). */
  file: string;
  /** Only this call's packets (SIP and, with media, its RTP). */
  call: string | null;
  media: boolean;
  ring: { files: number; sizeBytes: number } | null;
  durationMs: number | null;
}

export interface CaptureStatus {
  running: boolean;
  options: CaptureOptions | null;
  /** The files written, oldest first (with a ring, those still kept). */
  files: string[];
  packets: number;
  bytes: number;
}

export class PacketCapture {
  private fd: number | null = null;
  private current = '';
  private written = 0;
  private index = 0;
  private readonly files: string[] = [];
  private packets = 0;
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = true;

  constructor(
    readonly options: CaptureOptions,
    private readonly ended: () => void,
  ) {
    try {
      fs.mkdirSync(path.dirname(options.file), { recursive: true });
      this.open();
    } catch (err) {
      this.running = false;
      if (this.fd !== null) fs.closeSync(this.fd);
      throw new SbcError('SBC_ERR_CAPTURE_FILE', `cannot write ${options.file}: ${(err as Error).message}`);
    }
    if (options.durationMs !== null) {
      this.timer = setTimeout(() => this.stop(), options.durationMs);
      this.timer.unref();
    }
  }

  /** Whether a packet of `call` (null: of no call) is wanted. */
  wants(call: string | null, media: boolean): boolean {
    return this.running && (!media || this.options.media) && (this.options.call === null || this.options.call === call);
  }

  write(p: WirePacket): void {
    if (!this.running || this.fd === null) return;
    const rec = pcapRecord(p);
    const ring = this.options.ring;
    if (ring !== null && this.written + rec.length > ring.sizeBytes && this.written > 24) this.open();
    fs.writeSync(this.fd, rec);
    this.written += rec.length;
    this.packets++;
    this.bytes += rec.length;
  }

  private fileName(): string {
    if (this.options.ring === null) return this.options.file;
    const { dir, name, ext } = path.parse(this.options.file);
    return path.join(dir, `${name}_${String(this.index).padStart(5, '0')}${ext || '.pcap'}`);
  }

  /** Start the next file; with a ring the oldest beyond its count is deleted. */
  private open(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.index++;
    this.current = this.fileName();
    this.fd = fs.openSync(this.current, 'w');
    fs.writeSync(this.fd, pcapFileHeader());
    this.written = 24;
    this.files.push(this.current);
    const keep = this.options.ring?.files ?? Infinity;
    while (this.files.length > keep) fs.rmSync(this.files.shift() as string, { force: true });
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    this.ended();
  }

  status(): CaptureStatus {
    return {
      running: this.running,
      options: this.options,
      files: [...this.files],
      packets: this.packets,
      bytes: this.bytes,
    };
  }
}

/** Capture options from the admin API's JSON, checked (a bad field is an error naming it). */
/**
 * A capture's options from the admin API's JSON; `file` is a file name (letters, digits, `.`, `_`, `-`),
 * which lands in `directory` (capture.directory): a caller chooses the name, never where it is written.
 */
export function captureOptions(json: unknown, directory: string): CaptureOptions {
  const o = (json ?? {}) as Record<string, unknown>;
  if (typeof o['file'] !== 'string' || o['file'] === '')
    throw new SbcError('SBC_ERR_CAPTURE_OPTIONS', 'file: a file name is needed');
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(o['file']))
    throw new SbcError(
      'SBC_ERR_CAPTURE_OPTIONS',
      `file: a file name (letters, digits, ".", "_", "-"), not a path: captures are written in capture.directory (${directory})`,
    );
  const positive = (v: unknown, field: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new SbcError('SBC_ERR_CAPTURE_OPTIONS', `${field}: a positive number is needed`);
    return v;
  };
  const ring = o['ring'] === undefined || o['ring'] === null ? null : (o['ring'] as Record<string, unknown>);
  return {
    file: path.join(directory, o['file']),
    call: typeof o['call'] === 'string' && o['call'] !== '' ? o['call'] : null,
    media: o['media'] === true,
    ring:
      ring === null
        ? null
        : {
            files: Math.round(positive(ring['files'], 'ring.files')),
            sizeBytes: positive(ring['sizeBytes'], 'ring.sizeBytes'),
          },
    durationMs:
      o['durationMs'] === undefined || o['durationMs'] === null ? null : positive(o['durationMs'], 'durationMs'),
  };
}
