"""12345 cases in and feedback out (12345工单导入、办结反馈导出): file reading, services, pages."""
