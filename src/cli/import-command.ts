/** `fosip import ios <running-config> --out <dir>`: write the dial-peers, classes and global settings, and say what was left out. */
import { SbcError } from '../errors/sbc-error.js';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { importIos, type IosImport } from '../config/ios-import.js';

/** The files an import writes: one per dial-peer, one per kind of class (arrays), only kinds it found. */
export function importFiles(r: IosImport): Map<string, unknown> {
  const files = new Map<string, unknown>();
  for (const dp of r.dialPeers) files.set(path.join('dialpeers', `${dp.tag}.json`), dp);
  const kinds: Array<[string, unknown[]]> = [
    ['codec-classes.json', r.codecClasses],
    ['uri-classes.json', r.uriClasses],
    ['sip-profiles.json', r.sipProfiles],
    ['keepalive-profiles.json', r.keepaliveProfiles],
    ['translation-rules.json', r.translationRules],
    ['translation-profiles.json', r.translationProfiles],
  ];
  for (const [name, items] of kinds) if (items.length > 0) files.set(path.join('profiles', name), items);
  return files;
}

/**
 * The trusted list and sip-ua go into the folder's fosip.json: added to one already there (its other
 * settings kept; these two replaced), else a new one with only them. Returns what was written.
 */
function writeSettings(dir: string, r: IosImport): string[] {
  const { trustedList, sipUa } = r.settings;
  const written = [
    ...(trustedList !== undefined ? [`trustedList (${trustedList.length} block(s))`] : []),
    ...(sipUa !== undefined
      ? [
          `sipUa (${(sipUa.credentials ?? []).length} credential(s), ${(sipUa.authentication ?? []).length} authentication, ${(sipUa.registrar ?? []).length} registrar(s))`,
        ]
      : []),
  ];
  if (written.length === 0) return written;
  const file = path.join(dir, 'fosip.json');
  let current: Record<string, unknown> = {};
  if (fs.existsSync(file)) {
    try {
      current = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new SbcError(
        'SBC_ERR_IMPORT',
        `${file} is there but is not JSON (${(err as Error).message}): the trusted list and sip-ua were not written`,
      );
    }
  }
  const merged = {
    ...current,
    ...(trustedList !== undefined ? { trustedList } : {}),
    ...(sipUa !== undefined ? { sipUa } : {}),
  };
  fs.mkdirSync(dir, { recursive: true });
  // it may hold passwords (sip-ua): readable by its owner only
  fs.writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`, { mode: 0o600 });
  return written;
}

export function addImportCommand(program: Command, reportAndExit: (err: unknown) => never): void {
  program
    .command('import')
    .description(
      'turn a CUBE running-config into dialpeers/, profiles/ and fosip.json settings: `fosip import ios <file> --out <dir>`',
    )
    .argument('<format>', 'ios')
    .argument('<file>', 'the running-config (show running-config) as text')
    .requiredOption('--out <dir>', 'the configuration folder to write dialpeers/, profiles/ and fosip.json into')
    .action((format: string, file: string, flags: { out: string }) => {
      try {
        if (format !== 'ios') throw new SbcError('SBC_ERR_IMPORT', `unknown import format "${format}" (there is: ios)`);
        const result = importIos(fs.readFileSync(file, 'utf8'));
        const files = importFiles(result);
        for (const [rel, content] of files) {
          const target = path.join(flags.out, rel);
          fs.mkdirSync(path.dirname(target), { recursive: true });
          fs.writeFileSync(target, `${JSON.stringify(content, null, 2)}\n`);
        }
        const settingsWritten = writeSettings(flags.out, result);
        console.log(
          `imported ${result.dialPeers.length} dial-peers, ${result.codecClasses.length} codec classes, ${result.uriClasses.length} uri classes, ` +
            `${result.sipProfiles.length} sip-profiles, ${result.keepaliveProfiles.length} sip-options-keepalive classes, ` +
            `${result.translationRules.length} translation-rules, ${result.translationProfiles.length} translation-profiles into ${flags.out}`,
        );
        if (settingsWritten.length > 0) console.log(`fosip.json: ${settingsWritten.join(', ')}`);
        for (const p of result.problems) console.log(`${file}:${p.line}: ${p.text}\n    ${p.why}`);
        if (result.problems.length > 0)
          console.log(
            `${result.problems.length} line(s) not imported as they are; check them, then run fosip check-config --config-dir ${flags.out}`,
          );
      } catch (err) {
        reportAndExit(err);
      }
    });
}
