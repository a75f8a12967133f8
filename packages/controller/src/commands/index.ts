import Apply from './apply.js';
import Facts from './facts.js';
import Init from './init.js';
import Render from './render.js';
import Validate from './validate.js';

export const commands = { apply: Apply, facts: Facts, init: Init, render: Render, validate: Validate };
