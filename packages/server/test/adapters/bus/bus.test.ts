import { MemoryBus } from '../../../src/adapters/bus/memory-bus.js'
import { busContract } from './bus-contract.js'

busContract('in-process', () => Promise.resolve(new MemoryBus()))
