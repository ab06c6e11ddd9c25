import os from 'node:os';

/**
 * Tests that replay messages naming other hosts must run where a packet cannot leave the machine:
 * a network namespace with loopback only (deploy/isolated.sh, used by `npm test`).
 */
export function assertLoopbackOnly(): void {
  const others = Object.keys(os.networkInterfaces()).filter((name) => name !== 'lo');
  if (others.length > 0) {
    throw new Error(
      `refusing to replay foreign-host messages with interfaces ${others.join(', ')} up: run it through npm test (deploy/isolated.sh)`,
    );
  }
}
