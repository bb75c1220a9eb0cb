import { SERVICE_NAMES, type PlatformConfig, type ServiceName } from '../config';
import type { LocalHandler, LocalLinks } from './local-links';

/**
 * Where each subgraph is reached. Filled from configuration, and updated when a service starts
 * on an ephemeral port (tests, the all-in-one launcher), so callers look the URL up per call.
 * With {@link links} (set by the all-in-one launcher), the subgraphs this process runs are reached
 * through them instead of their URL ({@link setLocal}); an address set with {@link set} is always
 * reached over HTTP (a test pointing a service at a stand-in, say).
 */
export class PeerDirectory {
  private readonly urls = new Map<ServiceName, string>();
  private readonly linked = new Set<ServiceName>();
  /** The process's in-process links; null: every subgraph over HTTP. */
  links: LocalLinks | null = null;

  static fromConfig(config: PlatformConfig): PeerDirectory {
    const dir = new PeerDirectory();
    for (const s of SERVICE_NAMES) dir.set(s, config.serviceUrl(s));
    return dir;
  }

  /** The subgraph is at `url`, reached over HTTP. */
  set(service: ServiceName, url: string): void {
    this.urls.set(service, url);
    this.linked.delete(service);
  }

  /** The subgraph at `url` runs in this process: reached through its local link when there is one. */
  setLocal(service: ServiceName, url: string): void {
    this.urls.set(service, url);
    this.linked.add(service);
  }

  url(service: ServiceName): string {
    const url = this.urls.get(service);
    if (!url) throw new Error(`no URL known for service ${service}`);
    return url;
  }

  /** The subgraph's handler when it runs in this process (and links are on); else undefined. */
  local(service: ServiceName): LocalHandler | undefined {
    return this.linked.has(service) ? this.links?.handler(service) : undefined;
  }

  entries(): [ServiceName, string][] {
    return [...this.urls.entries()];
  }
}
