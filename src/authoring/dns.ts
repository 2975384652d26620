/** Where pods resolve names. The defaults are kube-dns/CoreDNS as every distribution labels it. */
export interface DnsOptions {
  /** Default `kube-system`. */
  readonly namespace?: string;
  /** The resolver pods' labels. Default `{ 'k8s-app': 'kube-dns' }`. */
  readonly labels?: { [key: string]: string };
}

export const DNS_NAMESPACE = 'kube-system';
export const DNS_LABELS: { readonly [key: string]: string } = { 'k8s-app': 'kube-dns' };
export const DNS_PORT = 53;
