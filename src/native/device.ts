// Devices in one vocabulary: the config's `device`, every --device flag and every job spec say auto | cpu | cuda | cuda:N.
import { makeError } from '../util/errors.js';

/** auto | cpu | cuda | cuda:N, as the config's `device` and every job spec. */
export type Device = 'auto' | 'cpu' | 'cuda' | `cuda:${number}`;

/** The one pattern of a device name (the config schema uses it too). */
export const DEVICE_PATTERN = /^(auto|cpu|cuda(:\d+)?)$/;

/** Parses a device name; CONFIG_INVALID naming `field` otherwise. */
export function parseDevice(text: string, field = '--device'): Device {
  if (!DEVICE_PATTERN.test(text)) throw makeError('CONFIG_INVALID', `${field} must be auto, cpu, cuda or cuda:N, got '${text}'`);
  return text as Device;
}

/** A device a job runs on (auto resolved). */
export type RunDevice = Exclude<Device, 'auto'>;

/** The device a job runs on: auto becomes cuda when LibTorch sees a GPU. */
export function concreteDevice(device: Device, cudaAvailable: boolean): RunDevice {
  return device === 'auto' ? (cudaAvailable ? 'cuda' : 'cpu') : device;
}

/** A comma-separated list of devices (`--devices cuda:0,cuda:1`); every entry is checked as one device, repeats allowed. */
export function parseDeviceList(text: string, field = '--devices'): Device[] {
  const entries = text.split(',').map((t) => t.trim());
  if (entries.some((t) => t === ''))
    throw makeError('CONFIG_INVALID', `${field} must list devices separated by commas (auto, cpu, cuda or cuda:N), got '${text}'`);
  return entries.map((t) => parseDevice(t, field));
}
