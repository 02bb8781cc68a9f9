/** The operator API, {@code /admin/v1}: controllers, their request and response records, problem details. */
package dev.ferry.admin;
