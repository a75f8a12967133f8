/** What a service backend must say; every method returns an argv, so backends are pure and testable. */
export type ServiceAction = 'start' | 'stop' | 'restart' | 'reload';

export interface ServiceBackend {
  readonly name: 'openrc' | 'systemd' | 'sysv';
  /** Exits 0 when the service runs. */
  status(service: string): string[];
  action(service: string, action: ServiceAction): string[];
  /** Exits 0 when the service starts at boot in that runlevel. */
  isEnabled(service: string, runlevel: string): string[];
  enable(service: string, runlevel: string): string[];
  disable(service: string, runlevel: string): string[];
}
