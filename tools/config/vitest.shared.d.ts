import type { UserConfig } from "vitest/config";
export declare const sourceConditions: string[];
export declare function packageConfig(options?: { testTimeout?: number; include?: string[] }): UserConfig;
