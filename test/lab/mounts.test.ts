import assert from 'node:assert/strict';
import { isUnder, parseMountPoints } from './mounts.js';

describe('lab mounts', () => {
  it('reads mount points from mountinfo, decoding escapes', () => {
    const text = [
      '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
      '90 22 0:45 / /work/.lab/a\\040b/root rw - overlay overlay rw,lowerdir=/',
      '',
    ].join('\n');
    assert.deepEqual(parseMountPoints(text), ['/', '/work/.lab/a b/root']);
  });

  it('tells a path below a directory from a sibling with the same prefix', () => {
    assert.equal(isUnder('/work/.lab/dl/masters/a/root', '/work/.lab/dl'), true);
    assert.equal(isUnder('/work/.lab/dl', '/work/.lab/dl'), true);
    assert.equal(isUnder('/work/.lab/dl2/root', '/work/.lab/dl'), false);
  });
});
