"""Witaj events service. Events and courses from city offices and NGOs: schedules with recurrence, registration with a waitlist, attendance, iCalendar feeds and import."""
