/**
 * A real softphone: baresip (Debian's `baresip`, installed by deploy/setup.sh) calls a SIP URI once, with
 * media encryption of its account (`srtp-mand`: SDES-SRTP, RTP/SAVP; `dtls_srtp`: DTLS-SRTP), sends a
 * 440 Hz tone (a WAV file it plays) as G.711 mu-law, and writes what it hears (decrypted and decoded) to a WAV file through the
 * `sndfile` filter. It runs with its own config folder, on loopback only, and hangs up after `seconds`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, freeUdpBlock } from './net.js';

export interface BaresipCall {
  /** SIP port it listens and sends from (UDP, 127.0.0.1). */
  sipPort: number;
  /** The first of its 4 RTP ports (its media comes from one of them). */
  rtpPorts: { min: number; max: number };
  /** Resolves when it has exited (after its hang-up): what it printed, and what it heard. */
  done: Promise<{ code: number | null; output: string; heardSamples: Int16Array }>;
  kill(): void;
}

export async function baresipCall(opts: {
  target: string;
  mediaenc: 'srtp-mand' | 'srtp' | 'dtls_srtp';
  seconds: number;
}): Promise<BaresipCall> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-baresip-'));
  const sipPort = await freePort('udp');
  const rtp = await freeUdpBlock(4);
  fs.writeFileSync(
    path.join(dir, 'config'),
    [
      'poll_method poll',
      `sip_listen 127.0.0.1:${sipPort}`,
      'net_interface 127.0.0.1',
      `rtp_ports ${rtp}-${rtp + 3}`,
      `audio_source aufile,${path.join(dir, 'tone.wav')}`,
      // what it hears goes nowhere audible; the sndfile filter keeps a copy of it
      'audio_player aufile,/dev/null',
      'audio_alert aufile,/dev/null',
      `snd_path ${dir}`,
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module sndfile.so',
      'module srtp.so',
      'module dtls_srtp.so',
      'module_app account.so',
      'module_app menu.so',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'tone.wav'), toneWav(440, opts.seconds + 5));
  fs.writeFileSync(
    path.join(dir, 'accounts'),
    `<sip:caller@127.0.0.1:${sipPort}>;regint=0;mediaenc=${opts.mediaenc};audio_codecs=PCMU\n`,
  );
  const child: ChildProcess = spawn(
    'baresip',
    ['-f', dir, '-e', `d ${opts.target}`, '-t', String(opts.seconds), '-v'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<{ code: number | null; output: string; heardSamples: Int16Array }>((resolve) => {
    const finish = (code: number | null): void => {
      const heard = fs.readdirSync(dir).find((f) => f.endsWith('-dec.wav'));
      const samples = heard === undefined ? new Int16Array() : wavSamples(path.join(dir, heard));
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, output, heardSamples: samples });
    };
    child.on('exit', (code) => finish(code));
    child.on('error', (err) => {
      output += `cannot run baresip (deploy/setup.sh installs it): ${err.message}\n`;
      finish(null);
    });
  });
  return { sipPort, rtpPorts: { min: rtp, max: rtp + 3 }, done, kill: () => child.kill('SIGKILL') };
}

/** A PCM WAV file (8 kHz, mono, 16 bits) of a sine tone at half scale. */
function toneWav(hz: number, seconds: number): Buffer {
  const samples = 8000 * seconds;
  const out = Buffer.alloc(44 + 2 * samples);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + 2 * samples, 4);
  out.write('WAVEfmt ', 8, 'latin1');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(8000, 24);
  out.writeUInt32LE(16000, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(2 * samples, 40);
  for (let i = 0; i < samples; i++)
    out.writeInt16LE(Math.round(16000 * Math.sin((2 * Math.PI * hz * i) / 8000)), 44 + 2 * i);
  return out;
}

/** The 16-bit samples of a PCM WAV file (its `data` chunk). */
function wavSamples(file: string): Int16Array {
  const buf = fs.readFileSync(file);
  const at = buf.indexOf('data', 12, 'latin1');
  if (at < 0) return new Int16Array();
  const length = Math.min(buf.readUInt32LE(at + 4), buf.length - at - 8);
  const out = new Int16Array(Math.floor(length / 2));
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(at + 8 + 2 * i);
  return out;
}

/** How many 20 ms frames of the samples (8 kHz) carry sound rather than silence. */
export function audibleFrames(samples: Int16Array): number {
  let frames = 0;
  for (let i = 0; i + 160 <= samples.length; i += 160) {
    let energy = 0;
    for (let j = i; j < i + 160; j++) energy += (samples[j] ?? 0) ** 2;
    if (Math.sqrt(energy / 160) > 1000) frames++;
  }
  return frames;
}
