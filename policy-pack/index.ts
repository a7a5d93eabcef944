import { PolicyPack } from "@pulumi/policy";
import { RULES } from "./rules";

// Constructing the pack starts the analyzer that `pulumi preview --policy-pack policy-pack` talks to.
new PolicyPack("cloudtrail-lake", { policies: RULES });
