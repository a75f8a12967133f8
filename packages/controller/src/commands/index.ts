import Apply from './apply.js';
import Discover from './discover.js';
import Facts from './facts.js';
import Init from './init.js';
import Render from './render.js';
import Status from './status.js';
import Validate from './validate.js';

export const commands = { apply: Apply, discover: Discover, facts: Facts, init: Init, render: Render, status: Status, validate: Validate };
