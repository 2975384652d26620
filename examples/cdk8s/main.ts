// `npm run example`: synthesises the shop and prints what netpol says about it.
// Run with `--yaml` to print the manifests `cdk8s synth` would write instead.
import { analyse } from 'netpol/cdk8s';
import { CLUSTER, shop } from './app.js';

const { app, web, api, db } = shop();
if (process.argv.includes('--yaml')) {
  process.stdout.write(app.synthYaml());
} else {
  const analysis = analyse(app, { include: CLUSTER });
  const show = (title: string, text: string) => process.stdout.write(`\n$ ${title}\n${text}`);
  show('analyse(app).validate()', analysis.validate());
  show('analyse(app).list()', analysis.list());
  show('analyse(app).lint()', analysis.lint());
  show('analyse(app).check(web, api, 8080)', analysis.check(web, api, 8080).explanation);
  show('analyse(app).check(web, db, 5432)', analysis.check(web, db, 5432).explanation);
}
