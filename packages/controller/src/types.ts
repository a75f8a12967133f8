// Shapes shared by the controller's modules. The JSON Schemas in schemas/ are the
// source of truth for what a user may write; these types describe what the loaders
// hand to the rest of the controller after validation and defaults.

/** One jump host on the way to a master, resolved like the master itself. */
export interface SshHop {
  name: string; // as written in ProxyJump, for messages
  host: string;
  port: number;
  user: string;
  privateKey?: string; // from the ssh config; else the master's key
}

export interface SshSettings {
  host: string; // after the ssh config's HostName
  alias?: string; // the name the inventory gave, when the ssh config maps it to another host
  port: number;
  user: string;
  privateKey?: string; // path, "~" expanded by the loader
  privateKeyOptional?: boolean; // from the ssh config or a default key file: skipped when it cannot be used, as OpenSSH does
  proxyJump?: SshHop[]; // jump hosts, first one first
  become?: 'sudo'; // run the agent as root through sudo
  knownHosts: string; // path, "~" expanded by the loader
  agent?: string; // ssh-agent socket; defaults to $SSH_AUTH_SOCK
  connection?: 'ssh' | 'local';
  timeoutMs?: number;
  keepaliveIntervalMs?: number; // as OpenSSH's ServerAliveInterval, in ms
  keepaliveCountMax?: number; // as OpenSSH's ServerAliveCountMax
}

export interface Lan {
  interface: string;
  address: string;
  prefix: number;
  routers?: string;
  dns?: string[];
  // derived by the loader
  netmask: string;
  network: string;
  broadcast: string;
}

export type Firmware = 'auto' | 'bios' | 'uefi';

export interface Slave {
  name: string;
  mac: string; // lowercase aa:bb:cc:dd:ee:ff
  ip: string;
  boot: 'pxe' | 'etherboot';
  firmware: Firmware; // the slave's own, else its master's boot.firmware, else auto
  interface: string; // boot interface as the slave's kernel names it
  interfaceGiven: boolean; // false: the default name, kept by net.ifnames=0
  arch?: string;
  services?: string[]; // runlevel links in the slave root
  [extra: string]: unknown;
}

export interface Master {
  name: string;
  ssh: SshSettings;
  lan: Lan;
  nfs: { server: 'kernel' | 'ganesha'; mountOptions: string; shared: Record<string, 'ro' | 'rw'>; [k: string]: unknown };
  slaves: Slave[]; // sorted by name
  vars: Record<string, unknown>; // inventory vars merged with master vars
  [extra: string]: unknown;
}

export interface Inventory {
  file: string; // absolute path
  vars: Record<string, unknown>;
  masters: Master[]; // in file order
}

export type TaskArgs = Record<string, unknown>;

export interface Task {
  name: string;
  op: string; // the operation key: file, template, service, ...
  args: TaskArgs; // strings may hold {{ }} and are rendered per host (and per loop item)
  when?: string; // expression, see engine/expression.ts
  loop?: unknown[] | string; // a list, or an expression that yields a list
  register?: string;
  notify?: string[];
  tags?: string[];
  ignoreErrors?: boolean;
  pointer: string; // JSON pointer of the task in its file, for messages
}

export interface Play {
  name: string;
  file: string; // absolute path of the playbook file
  pointer?: string; // JSON pointer of the play in its file ("" when the file is one play)
  dir: string; // directory that template src paths are relative to
  hosts: string; // "masters", "all", or a comma list of master names
  vars: Record<string, unknown>;
  tags?: string[];
  /** false: the play reads no facts (Ansible's gather_facts). */
  gatherFacts: boolean;
  tasks: Task[];
  handlers: Task[];
}

/** What a template and a `when` expression see for one master. */
export interface HostContext {
  master: Master;
  inventory: { vars: Record<string, unknown> };
  facts: Record<string, unknown>;
  [name: string]: unknown; // vars, registered results, `item` inside a loop
}
