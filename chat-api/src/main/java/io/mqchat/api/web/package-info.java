/** HTTP plumbing shared by the features: problem details. */
package io.mqchat.api.web;
