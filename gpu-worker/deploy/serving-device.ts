import { chooseServingDevice, servingCapabilitiesOf, type ServingDevice, type ServingPrecision } from "../../server/lib/serving-device";
import { detectCapabilities } from "../capabilities";

let detected: ReturnType<typeof detectCapabilities> | null = null;

/**
 * Where this worker serves a deployment of `precision` (server/lib/serving-device.ts): the same capabilities the
 * worker recorded at start (GPUs, torch.cuda, onnxruntime's installed providers), detected once per process, so
 * the deployment page — which applies the same function to the recorded ones — shows what actually serves.
 */
export async function servingDeviceFor(precision: ServingPrecision): Promise<ServingDevice> {
  detected ??= detectCapabilities();
  return chooseServingDevice(precision, servingCapabilitiesOf(await detected));
}
