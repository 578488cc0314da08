import type { RequestHandler } from "express";
import { Histogram, type Registry } from "prom-client";

/**
 * `http_request_duration_seconds{method, route, status}`: latency of every API request. `route`
 * is the OpenAPI path template set by the route registry (`res.locals.route`), or `unmatched`:
 * never a raw path, so ids do not explode the series count.
 */
export function httpMetrics(registry: Registry): RequestHandler {
  const histogram = new Histogram({
    name: "http_request_duration_seconds",
    help: "REST API request latency by route template and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  return (req, res, next) => {
    const end = histogram.startTimer();
    res.once("close", () => {
      const route = typeof res.locals.route === "string" ? res.locals.route : "unmatched";
      end({ method: route === "unmatched" ? "other" : req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
