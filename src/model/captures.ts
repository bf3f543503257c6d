/**
 * The names of what a bundle can contain. Rules declare the captures they need; the engine marks a
 * rule inconclusive, and tells the user how to collect what is missing, when a capture is absent.
 */
export type Capture =
  | `kube:${string}`
  | 'ztunnel-workloads'
  | 'ztunnel-services'
  | 'ztunnel-policies'
  | 'ztunnel-certificates'
  | 'proxy-status'
  | 'analyze'
  | 'envoy-config'
  | 'versions'
  | 'logs';

const KUBE_RESOURCE_NAMES: Record<string, string> = {
  Namespace: 'namespaces',
  Service: 'services',
  Pod: 'pods',
  Gateway: 'gateways.gateway.networking.k8s.io',
  GatewayClass: 'gatewayclasses.gateway.networking.k8s.io',
  ServiceEntry: 'serviceentries.networking.istio.io',
  WorkloadEntry: 'workloadentries.networking.istio.io',
  HTTPRoute: 'httproutes.gateway.networking.k8s.io',
  GRPCRoute: 'grpcroutes.gateway.networking.k8s.io',
  AuthorizationPolicy: 'authorizationpolicies.security.istio.io',
};

/** The command that collects a capture, for "what this bundle could not show". */
export function collectCommand(capture: Capture): string {
  switch (capture) {
    case 'ztunnel-workloads':
      return 'istioctl ztunnel-config workload';
    case 'ztunnel-services':
      return 'istioctl ztunnel-config service';
    case 'ztunnel-policies':
      return 'istioctl ztunnel-config policy';
    case 'ztunnel-certificates':
      return 'istioctl ztunnel-config certificate';
    case 'envoy-config':
      return 'istioctl proxy-config all <waypoint-pod> -n <namespace> -o json';
    case 'versions':
      return 'istioctl version -o json';
    case 'logs':
      return 'kubectl logs <pod> -n <namespace> --since 1h';
    case 'proxy-status':
      return 'istioctl proxy-status';
    case 'analyze':
      return 'istioctl analyze -A';
    default:
      return `kubectl get ${kubeResourceName(capture.slice('kube:'.length))} -A -o json`;
  }
}

/** The resource name kubectl takes for a kind: `gateways.gateway.networking.k8s.io` for Gateway. */
export function kubeResourceName(kind: string): string {
  return KUBE_RESOURCE_NAMES[kind] ?? `${kind.toLowerCase()}s`;
}

export function describeCapture(capture: Capture): string {
  return capture.startsWith('kube:') ? `${capture.slice(5)} objects` : `\`${collectCommand(capture)}\` output`;
}
