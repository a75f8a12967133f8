import Apply from './apply.js';
import Facts from './facts.js';
import Render from './render.js';
import Validate from './validate.js';

export const commands = { apply: Apply, facts: Facts, render: Render, validate: Validate };
