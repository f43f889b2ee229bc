/** Typed errors of the inference engine; messages name the file and the id at fault. */
export class ModelFolderError extends Error {
  override name = "ModelFolderError";
  constructor(message: string, readonly file: string) {
    super(message);
  }
}

export class InputDataError extends Error {
  override name = "InputDataError";
  constructor(message: string, readonly file?: string, readonly id?: string) {
    super(message);
  }
}

export class BackendError extends Error {
  override name = "BackendError";
}
