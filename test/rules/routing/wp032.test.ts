import { wp032 } from '../../../src/rules/routing/wp032-parentref-port.js';
import { appService, httpRoute, kubeList, ruleTester } from '../rule-tester.js';
import { cluster } from '../policy/cluster.js';

const web = appService('default', 'web', {}, [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }]);
const routeOnPort = (port?: number) => ({ 'svc2.yaml': kubeList([web]), 'httproutes.yaml': kubeList([httpRoute('default', 'web', [{ group: '', kind: 'Service', name: 'web', ...(port !== undefined ? { port } : {}) }], [{ name: 'web', port: 80 }])]) });

ruleTester(wp032, {
  valid: [
    { name: 'the Service port', files: cluster([], routeOnPort(80)) },
    { name: 'no port (every port of the Service)', files: cluster([], routeOnPort()) },
  ],
  invalid: [
    {
      name: 'the container port instead of the Service port',
      files: cluster([], routeOnPort(8080)),
      findings: [{ subject: 'HTTPRoute default/web', message: /port 8080, which the Service does not expose \(ports 80\); 8080 is the targetPort of port 80/ }],
    },
  ],
});
