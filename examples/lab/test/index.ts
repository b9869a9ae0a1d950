import t from 'tap'
import { LAB_KIND } from '../src/index.js'

t.equal(LAB_KIND, 'lab')
