import { handleUpload } from "~/server/http/upload-handler";

export const POST = handleUpload;
