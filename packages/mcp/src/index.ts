export * from "./extraction";
export * from "./classification";
export * from "./quality";
export * from "./text";
export * from "./schemas";
export * from "./types";
export { classifyRemoteError, connectRemote, listAllTools, type RemoteMcpClient, type RemoteMcpOptions } from "./remote";
export { connectInMemory, ToolCallError, type InMemoryMcpClient } from "./client";
export { createFileDocumentSource, createFileModelSource } from "./standalone";
