import { SERVICE_NAMES, type PlatformConfig, type ServiceName } from '../config';

/**
 * Where each subgraph is reached. Filled from configuration, and updated when a service starts
 * on an ephemeral port (tests, the all-in-one launcher), so callers look the URL up per call.
 */
export class PeerDirectory {
  private readonly urls = new Map<ServiceName, string>();

  static fromConfig(config: PlatformConfig): PeerDirectory {
    const dir = new PeerDirectory();
    for (const s of SERVICE_NAMES) dir.set(s, config.serviceUrl(s));
    return dir;
  }

  set(service: ServiceName, url: string): void {
    this.urls.set(service, url);
  }

  url(service: ServiceName): string {
    const url = this.urls.get(service);
    if (!url) throw new Error(`no URL known for service ${service}`);
    return url;
  }

  entries(): [ServiceName, string][] {
    return [...this.urls.entries()];
  }
}
