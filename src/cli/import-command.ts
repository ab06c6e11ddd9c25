/** `fosip import ios <running-config> --out <dir>`: write the dial-peers and classes, and say what was left out. */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { importIos, type IosImport } from '../config/ios-import.js';

/** The files an import writes: one per dial-peer, one per kind of class (arrays), only kinds it found. */
export function importFiles(r: IosImport): Map<string, unknown> {
  const files = new Map<string, unknown>();
  for (const dp of r.dialPeers) files.set(path.join('dialpeers', `${dp.tag}.json`), dp);
  const kinds: Array<[string, unknown[]]> = [
    ['codec-classes.json', r.codecClasses], ['uri-classes.json', r.uriClasses], ['sip-profiles.json', r.sipProfiles],
    ['keepalive-profiles.json', r.keepaliveProfiles], ['translation-rules.json', r.translationRules], ['translation-profiles.json', r.translationProfiles],
  ];
  for (const [name, items] of kinds) if (items.length > 0) files.set(path.join('profiles', name), items);
  return files;
}

export function addImportCommand(program: Command, reportAndExit: (err: unknown) => never): void {
  program
    .command('import')
    .description('turn a CUBE running-config into dialpeers/ and profiles/ JSON: `fosip import ios <file> --out <dir>`')
    .argument('<format>', 'ios')
    .argument('<file>', 'the running-config (show running-config) as text')
    .requiredOption('--out <dir>', 'the configuration folder to write dialpeers/ and profiles/ into')
    .action((format: string, file: string, flags: { out: string }) => {
      try {
        if (format !== 'ios') throw new Error(`unknown import format "${format}" (there is: ios)`);
        const result = importIos(fs.readFileSync(file, 'utf8'));
        const files = importFiles(result);
        for (const [rel, content] of files) {
          const target = path.join(flags.out, rel);
          fs.mkdirSync(path.dirname(target), { recursive: true });
          fs.writeFileSync(target, `${JSON.stringify(content, null, 2)}\n`);
        }
        console.log(`imported ${result.dialPeers.length} dial-peers, ${result.codecClasses.length} codec classes, ${result.uriClasses.length} uri classes, `
          + `${result.sipProfiles.length} sip-profiles, ${result.keepaliveProfiles.length} sip-options-keepalive classes, `
          + `${result.translationRules.length} translation-rules, ${result.translationProfiles.length} translation-profiles into ${flags.out}`);
        for (const p of result.problems) console.log(`${file}:${p.line}: ${p.text}\n    ${p.why}`);
        if (result.problems.length > 0) console.log(`${result.problems.length} line(s) not imported as they are; check them, then run fosip check-config --config-dir ${flags.out}`);
      } catch (err) {
        reportAndExit(err);
      }
    });
}
