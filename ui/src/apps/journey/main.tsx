import { mount } from '../../lib/ui/mount';
import { JourneyPage } from './JourneyPage';
import './journey.css';

mount('journey', JourneyPage);
